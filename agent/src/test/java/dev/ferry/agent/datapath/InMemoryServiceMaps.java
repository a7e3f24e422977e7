package dev.ferry.agent.datapath;

import java.util.function.Consumer;

/** ServiceMaps over in-memory tables: the production writer, without a kernel. */
public final class InMemoryServiceMaps {
    private InMemoryServiceMaps() {
    }

    public static ServiceMaps create() {
        return create(j -> { }, 1000);
    }

    /** @param journal receives every write, to check order; @param backendCapacity to provoke "map full" */
    public static ServiceMaps create(Consumer<String> journal, int backendCapacity) {
        return new ServiceMaps(new InMemoryMapTable<>("services", 1000, journal),
                new InMemoryMapTable<>("slots", 1000, journal),
                new InMemoryMapTable<>("backends", backendCapacity, journal),
                new InMemoryMapTable<>("vips", 1000, journal),
                new InMemoryMapTable<>("cidrs", 100, journal));
    }
}
