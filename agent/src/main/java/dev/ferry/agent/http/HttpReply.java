package dev.ferry.agent.http;

import java.util.HashMap;
import java.util.Map;

/**
 * What a route answers: built from published snapshots, never by waiting for anything.
 *
 * @param headers sent besides Content-Type (e.g. kube-proxy's X-Load-Balancing-Endpoint-Weight)
 */
public record HttpReply(int status, String contentType, String body, Map<String, String> headers) {
    public HttpReply {
        headers = Map.copyOf(headers);
    }

    public HttpReply(int status, String contentType, String body) {
        this(status, contentType, body, Map.of());
    }

    public static HttpReply json(int status, String body) {
        return new HttpReply(status, "application/json", body);
    }

    public static HttpReply text(int status, String body) {
        return new HttpReply(status, "text/plain; charset=utf-8", body);
    }

    public HttpReply withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new HttpReply(status, contentType, body, more);
    }
}
