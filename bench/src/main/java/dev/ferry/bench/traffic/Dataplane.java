package dev.ferry.bench.traffic;

/**
 * What one subject installs on both nodes of its cluster: the services of one scale. Installing
 * again replaces the previous scale's state completely; close() removes everything it installed.
 */
interface Dataplane extends AutoCloseable {
    void install(ServiceSet services) throws Exception;

    @Override
    void close();

    static Dataplane of(Subject subject, TrafficLab lab) {
        TrafficLab.Cluster cluster = lab.cluster(subject);
        return switch (subject) {
            case PLAIN -> new Dataplane() {
                @Override
                public void install(ServiceSet services) {
                    // Plain routing: the client dials the pods; nothing to program.
                }

                @Override
                public void close() {
                }
            };
            case IPTABLES -> new IptablesDataplane(lab.lab(), cluster);
            case NFTABLES -> new NftablesDataplane(lab.lab(), cluster);
            case FERRY -> new FerryDataplane(lab.lab(), cluster);
        };
    }
}
