package dev.ferry.agent.http;

/** What a route answers: built from published snapshots, never by waiting for anything. */
public record HttpReply(int status, String contentType, String body) {
    public static HttpReply json(int status, String body) {
        return new HttpReply(status, "application/json", body);
    }

    public static HttpReply text(int status, String body) {
        return new HttpReply(status, "text/plain; charset=utf-8", body);
    }
}
