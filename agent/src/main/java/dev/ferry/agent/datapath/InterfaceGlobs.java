package dev.ferry.agent.datapath;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/** --pod-interfaces style globs ("veth*,lxc*") matched against interface names. */
public record InterfaceGlobs(List<String> globs) {
    public boolean matches(String interfaceName) {
        Path name = Path.of(interfaceName);
        for (String glob : globs) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            if (matcher.matches(name)) return true;
        }
        return false;
    }
}
