package dev.fanout.functions.http;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a host once and hands the client exactly the addresses it checked, so that what is checked is what is
 * connected to: a DNS answer that changes between a check and a connect (DNS rebinding) cannot slip through. A host
 * with any refused address is refused as a whole.
 */
final class GuardedDnsResolver implements DnsResolver {
    private final AddressPolicy policy;

    GuardedDnsResolver(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress a : addresses) {
            String why = policy.refusal(a);
            if (why != null) {
                throw new RefusedAddressException(host, a.getHostAddress(), why);
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }
}
