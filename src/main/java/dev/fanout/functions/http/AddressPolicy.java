package dev.fanout.functions.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses an http task may connect to. Never: link-local (169.254.0.0/16, fe80::/10, where cloud metadata
 * services answer), the EC2 IPv6 metadata address fd00:ec2::254, unspecified, multicast and "this network"
 * (0.0.0.0/8). Private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and loopback only when allowed
 * ({@code fanout.http.allow-private-addresses}).
 */
final class AddressPolicy {
    private static final byte[] EC2_METADATA_V6 = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0x02, 0x54};

    private final boolean allowPrivate;

    AddressPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Null when the address may be reached; otherwise what kind of address it is, for the error message. */
    String refusal(InetAddress a) {
        byte[] b = a.getAddress();
        if (a.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata services answer there): never allowed";
        }
        if (a instanceof Inet6Address && java.util.Arrays.equals(b, EC2_METADATA_V6)) {
            return "the cloud metadata address: never allowed";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || (a instanceof Inet4Address && b[0] == 0)) {
            return "not a unicast host address: never allowed";
        }
        if (allowPrivate) {
            return null;
        }
        if (a.isLoopbackAddress()) {
            return "a loopback address: allowed only with fanout.http.allow-private-addresses=true";
        }
        boolean cgnat = a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        boolean uniqueLocal = a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc;
        if (a.isSiteLocalAddress() || cgnat || uniqueLocal) {
            return "a private address: allowed only with fanout.http.allow-private-addresses=true";
        }
        return null;
    }
}
