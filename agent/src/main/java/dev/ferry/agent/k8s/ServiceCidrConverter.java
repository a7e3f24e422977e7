package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cidr;

import java.util.ArrayList;
import java.util.List;

/** networking.k8s.io/v1 ServiceCIDR -> its IPv4 prefixes (the IPv6 one of a dual-stack pair is skipped). */
public final class ServiceCidrConverter {
    private ServiceCidrConverter() {
    }

    public static List<Cidr> convert(io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR cidr)
            throws InvalidObjectException {
        Fields.name(cidr);
        List<Cidr> out = new ArrayList<>();
        if (cidr.getSpec() == null || cidr.getSpec().getCidrs() == null) return out;
        for (String text : cidr.getSpec().getCidrs()) {
            if (text.contains(":")) continue;
            try {
                out.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw new InvalidObjectException(Fields.id(cidr) + ": spec.cidrs " + e.getMessage());
            }
        }
        return out;
    }
}
