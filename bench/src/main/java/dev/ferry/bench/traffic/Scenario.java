package dev.ferry.bench.traffic;

import java.util.List;

/** Where the client sits and what it dials; plain routing dials the backend pods themselves. */
enum Scenario {
    /** The client pod on node1 to the service's ClusterIP; backends on node2. */
    POD_TO_CLUSTER_IP("pod → ClusterIP"),
    /** The external client to node1's NodePort; backends on node2, so the node DNATs and SNATs. */
    EXTERNAL_TO_NODE_PORT("external → NodePort");

    final String label;

    Scenario(String label) {
        this.label = label;
    }

    String clientNs(TrafficLab lab, TrafficLab.Cluster cluster) {
        return this == POD_TO_CLUSTER_IP ? lab.lab().podNs(cluster.client()) : lab.lab().externalNs(TrafficLab.EXTERNAL);
    }

    /** "ip:port" to dial: the 10 pods for plain routing (cycled through by CRR), else the one service address. */
    List<String> targets(TrafficLab lab, TrafficLab.Cluster cluster, ServiceSet services) {
        if (cluster.subject() == Subject.PLAIN) {
            return cluster.backendIps().stream().map(ip -> ip + ":" + ServiceSet.TARGET_PORT).toList();
        }
        return List.of(this == POD_TO_CLUSTER_IP ? services.measured().clusterIp() + ":" + ServiceSet.SERVICE_PORT
                : lab.lab().nodeIp(cluster.node1()) + ":" + ServiceSet.NODE_PORT);
    }
}
