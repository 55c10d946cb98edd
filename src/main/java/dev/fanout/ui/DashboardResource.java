package dev.fanout.ui;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dashboard at {@code /ui}: static files kept beside this class (resources {@code dev/fanout/ui/}), served from
 * the artifact itself (no CDN, no build step). The page holds no data: it reads the API with the key its user types,
 * so these files are not behind the API key ({@link #isDashboard}).
 */
@Path("/ui")
public class DashboardResource {
    private static final String ROOT = "/dev/fanout/ui/";
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    // the files change with each release: a browser checks again rather than keep an old script beside a new API
    private static final CacheControl REVALIDATE = CacheControl.valueOf("no-cache");

    /**
     * True for the dashboard's own paths, which need no API key: exactly {@code /ui} and its plain file names, so
     * that no path with dots, slashes or escapes (which might reach another resource once normalised) passes.
     */
    public static boolean isDashboard(String path) {
        return path.equals("/ui") || path.equals("/ui/")
                || path.startsWith("/ui/") && ASSET.matcher(path.substring(4)).matches();
    }

    @GET
    public Response index() {
        return asset("index.html");
    }

    @GET
    @Path("/{name}")
    public Response asset(@PathParam("name") String name) {
        if (!ASSET.matcher(name).matches()) {
            return notFound(name);
        }
        InputStream in = DashboardResource.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            return notFound(name);
        }
        try (in) {
            byte[] body = in.readAllBytes();
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            return Response.ok(body, type).cacheControl(REVALIDATE)
                    .header("X-Content-Type-Options", "nosniff").build();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the dashboard's " + name, e);
        }
    }

    private static Response notFound(String name) {
        return Response.status(404).type("text/plain; charset=utf-8")
                .entity("the dashboard has no file '" + name + "'; open /ui").build();
    }
}
