package dev.ferry.agent.lab;

/** Setting up or driving the lab failed; the message carries the command and what it printed. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
