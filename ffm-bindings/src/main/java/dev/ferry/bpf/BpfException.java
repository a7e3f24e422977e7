package dev.ferry.bpf;

/** Placeholder until the bindings land (replaced by the real one on merge). */
public class BpfException extends RuntimeException {
    public BpfException(String function, int errno, String message) {
        super(function + ": " + message + " (errno " + errno + ")");
    }
}
