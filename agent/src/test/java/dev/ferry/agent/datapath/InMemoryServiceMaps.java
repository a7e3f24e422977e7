package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.model.Ipv4;

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
        return create(new InMemoryMapTable<>("services", 1000, journal), new InMemoryMapTable<>("slots", 1000, journal),
                backends(backendCapacity, journal), journal);
    }

    /** What an array slot holds before anything was written to it: all zero. */
    public static final BackendValue EMPTY_BACKEND = new BackendValue(0, Ipv4.of(0), 0, 0);

    /** A fake backends_v2 of {@code slots} slots. */
    public static InMemoryArrayTable<BackendValue> backends(int slots, Consumer<String> journal) {
        return new InMemoryArrayTable<>("backends", slots, EMPTY_BACKEND, journal);
    }

    /** Small Maglev tables (251 entries) keep golden dumps and tests fast; the algorithm is the same. */
    public static final int MAGLEV_TABLE_SIZE = 251;

    /** Over the given services, slots and backends tables, so a test can look into them. */
    public static ServiceMaps create(MapTable<SvcKey, SvcValue> services, MapTable<SlotKey, Integer> slots,
                                     MapTable<Integer, BackendValue> backends, Consumer<String> journal) {
        return new ServiceMaps(new ServiceMaps.Tables(services, slots, new BackendSlots(backends),
                new InMemoryMapTable<>("vips", 1000, journal), new InMemoryMapTable<>("cidrs", 100, journal),
                new InMemoryMapTable<>("maglev", 1000, journal), new InMemoryMapTable<>("ranges", 1000, journal),
                MAGLEV_TABLE_SIZE));
    }
}
