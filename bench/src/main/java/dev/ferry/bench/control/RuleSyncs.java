package dev.ferry.bench.control;

import dev.ferry.bench.kubeproxy.IptablesRules;
import dev.ferry.bench.kubeproxy.KubeService;
import dev.ferry.bench.kubeproxy.NftablesRules;
import dev.ferry.bench.kubeproxy.ProxyConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The input kube-proxy hands its tools for one full sync and for one endpoint change of one
 * service, in iptables and nftables mode, cut from the generators' full output so the change
 * contains exactly the lines the full sync has for that service.
 * <ul>
 *   <li>iptables, partial sync (kube-proxy 1.28+, pkg/proxy/iptables/proxier.go): every
 *       top-level chain (KUBE-SERVICES with one jump per service, KUBE-NODEPORTS, ...) is
 *       written in full, but KUBE-SVC/SEP/EXT chains only for the services that changed; a gone
 *       endpoint's chain is deleted with -X.</li>
 *   <li>nftables (pkg/proxy/nftables/proxier.go): a transaction of only what changed: the new
 *       endpoint's chain, the service chain flushed and refilled, the old endpoint chain deleted.</li>
 * </ul>
 */
final class RuleSyncs {
    private static final Pattern IPTABLES_CHAIN = Pattern.compile("^(?::|-A |-X )(KUBE-(?:SVC|SEP|EXT)-\\S+)");
    private static final Pattern NFT_CHAIN = Pattern.compile("^add (?:chain|rule) ip kube-proxy ((?:service|external|endpoint)-\\S+)");

    private RuleSyncs() {
    }

    /** iptables-restore --noflush input for {@code after} replacing {@code before}, one service changed. */
    static String iptablesChange(List<KubeService> after, ProxyConfig config, KubeService before, KubeService changed) {
        Set<String> own = iptablesChains(changed);
        List<String> lines = new ArrayList<>();
        for (String line : IptablesRules.restore(after, config).split("\n")) {
            Matcher m = IPTABLES_CHAIN.matcher(line);
            // A gone endpoint's chain is declared (which flushes it: -X needs it empty), then deleted.
            if (line.equals("COMMIT") && lines.contains("*nat")) {
                gone(before, changed).forEach(e -> lines.add("-X " + IptablesRules.endpointChain(before, e)));
            }
            if (!m.find() || own.contains(m.group(1))) lines.add(line);
            if (line.equals("*nat")) {
                gone(before, changed).forEach(e -> lines.add(":" + IptablesRules.endpointChain(before, e) + " - [0:0]"));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    /** nft -f input for {@code changed} replacing {@code before}. */
    static String nftablesChange(ProxyConfig config, KubeService before, KubeService changed) {
        String serviceChain = NftablesRules.serviceChain(changed);
        Set<String> added = new java.util.HashSet<>();
        for (KubeService.Endpoint e : changed.endpoints()) {
            if (!before.endpoints().contains(e)) added.add(NftablesRules.endpointChain(changed, e));
        }
        List<String> lines = new ArrayList<>(List.of("flush chain ip kube-proxy " + serviceChain));
        String whole = NftablesRules.ruleset(List.of(changed), config);
        for (String line : whole.substring(whole.indexOf("# " + changed.portNameString())).split("\n")) {
            Matcher m = NFT_CHAIN.matcher(line);
            if (m.find() && (m.group(1).equals(serviceChain) ? line.startsWith("add rule") : added.contains(m.group(1)))) {
                lines.add(line);
            }
        }
        for (KubeService.Endpoint e : gone(before, changed)) { // a chain is deleted empty, as kube-proxy does
            lines.add("flush chain ip kube-proxy " + NftablesRules.endpointChain(before, e));
            lines.add("delete chain ip kube-proxy " + NftablesRules.endpointChain(before, e));
        }
        return String.join("\n", lines) + "\n";
    }

    private static Set<String> iptablesChains(KubeService s) {
        Set<String> chains = new java.util.HashSet<>(List.of(IptablesRules.serviceChain(s), IptablesRules.externalChain(s)));
        s.endpoints().forEach(e -> chains.add(IptablesRules.endpointChain(s, e)));
        return chains;
    }

    private static List<KubeService.Endpoint> gone(KubeService before, KubeService after) {
        return before.endpoints().stream().filter(e -> !after.endpoints().contains(e)).toList();
    }
}
