package dev.ferry.agent.k8s;

/** A Kubernetes object Ferry can not program; the message names the object and the field. */
public class InvalidObjectException extends Exception {
    public InvalidObjectException(String message) {
        super(message);
    }
}
