package dev.ferry.agent.http;

/**
 * A kube-proxy style {@code host:port} flag value ({@code [::1]:10256} for IPv6). Parsed when the
 * flags are read, so a typo is reported before anything is loaded.
 *
 * @param flag the flag it came from, named in every error about it
 */
public record BindAddress(String flag, String host, int port) {
    /** @return null for an empty value: that server is disabled, as in kube-proxy */
    public static BindAddress parse(String flag, String value) {
        if (value == null || value.isBlank()) return null;
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon < 0 || host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--" + flag + " '" + value + "' is not host:port (e.g. 0.0.0.0:10256)");
        }
        return new BindAddress(flag, host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
