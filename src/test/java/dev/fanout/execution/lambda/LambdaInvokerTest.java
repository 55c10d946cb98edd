package dev.fanout.execution.lambda;

import dev.fanout.execution.lambda.Outcome.ClientFailed;
import dev.fanout.execution.lambda.Outcome.Phase;
import dev.fanout.execution.lambda.Outcome.ServiceFailed;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** How the SDK's failures (as its Netty client raises them) become outcomes: above all, how far a call got. */
class LambdaInvokerTest {

    private static Phase phase(Throwable cause) {
        Outcome o = LambdaInvoker.failed(new CompletionException(SdkClientException.create("Unable to execute HTTP "
                + "request: " + cause.getMessage(), cause)));
        return assertInstanceOf(ClientFailed.class, o).phase();
    }

    @Test
    void failuresToConnectAreTheConnectingPhase() {
        for (Throwable cause : List.of(new ConnectException("Connection refused"),
                new ConnectTimeoutException("connection timed out: lambda.us-east-1.amazonaws.com"),
                new UnknownHostException("lambda.nowhere.example"), new NoRouteToHostException("No route to host"),
                new IOException("wrapped", new ConnectException("Connection refused")))) {
            assertEquals(Phase.CONNECTING, phase(cause), cause.toString());
        }
    }

    @Test
    void networkFailuresAfterConnectingAreTheExchangingPhase() {
        // what NettyUtils.decorateException makes of a reset, a closed channel and a read timeout
        for (Throwable cause : List.of(new IOException("The connection was closed during the request.",
                        new ClosedChannelException()), new IOException("Connection reset by peer"),
                new IOException("Read timed out", ReadTimeoutException.INSTANCE))) {
            assertEquals(Phase.EXCHANGING, phase(cause), cause.toString());
        }
    }

    @Test
    void otherClientFailuresAreNoNetworkPhase() {
        assertEquals(Phase.OTHER, phase(new IllegalStateException("Unable to load credentials")));
    }

    @Test
    void serviceFailuresKeepTheirStatusAndCode() {
        ServiceFailed s = assertInstanceOf(ServiceFailed.class, LambdaInvoker.failed(new CompletionException(
                TooManyRequestsException.builder().statusCode(429).message("Rate Exceeded.")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("TooManyRequestsException").build())
                        .build())));
        assertEquals(429, s.status());
        assertEquals("TooManyRequestsException", s.errorCode());
    }

    @Test
    void aConnectionRefusedThroughTheRealSdkIsTheConnectingPhase() throws Exception {
        System.setProperty("aws.accessKeyId", "test"); // as Emulators does: the SDK signs before it connects
        System.setProperty("aws.secretAccessKey", "test");
        try (Socket reserved = new Socket()) { // bound, not listening: connections to its port are refused
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Invoker invoker = LambdaInvoker.create(new LambdaConfig("fanout-worker", Optional.of("us-east-1"),
                    Optional.of(URI.create("http://127.0.0.1:" + reserved.getLocalPort())), 1,
                    Duration.ofMinutes(1), 6_000_000, Duration.ofMinutes(1)));
            try {
                Outcome o = invoker.invoke("{}".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
                assertEquals(Phase.CONNECTING, assertInstanceOf(ClientFailed.class, o).phase(), o.toString());
            } finally {
                invoker.close();
            }
        }
    }
}
