package dev.ferry.sys;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh network namespace per test, created after the privilege gate and always deleted. */
final class ScratchNamespace implements BeforeEachCallback, AfterEachCallback {
    private final String name = Ip.uniqueNamespace();

    String name() {
        return name;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dev.ferry.bpf.Privileged.require();
        Ip.run("netns", "add", name);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Ip.run("netns", "del", name);
    }
}
