package dev.fanout.functions.http;

import java.net.UnknownHostException;

/** A host resolved to an address http tasks may not reach. An UnknownHostException, so that the client stops there. */
final class RefusedAddressException extends UnknownHostException {
    RefusedAddressException(String host, String address, String why) {
        super(host.equals(address) ? address + " is " + why : host + " resolves to " + address + ", " + why);
    }
}
