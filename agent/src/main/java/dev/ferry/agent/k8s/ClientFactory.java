package dev.ferry.agent.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An API client configured as kube-proxy configures its own: --kubeconfig names a file,
 * --master overrides its server, and with neither the in-cluster service account is used. It
 * reads objects leanly ({@link LeanSerialization}).
 */
public final class ClientFactory {
    private ClientFactory() {
    }

    public static KubernetesClient create(Path kubeconfig, String master) {
        Config config;
        if (kubeconfig != null) {
            try {
                config = Config.fromKubeconfig(Files.readString(kubeconfig));
            } catch (IOException e) {
                throw new UncheckedIOException("--kubeconfig " + kubeconfig, e);
            }
        } else {
            config = Config.autoConfigure(null); // in-cluster when run as a pod
        }
        if (master != null) config.setMasterUrl(master);
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(LeanSerialization.create()).build();
    }
}
