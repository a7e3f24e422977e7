package dev.ferry.agent.model;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Ipv4Test {
    @Test
    void dottedQuadsParse() throws Exception {
        for (String text : new String[]{"0.0.0.0", "10.96.0.10", "255.255.255.255", "1.02.003.4"}) {
            byte[] expected = new byte[4];
            String[] parts = text.split("\\.");
            for (int i = 0; i < 4; i++) expected[i] = (byte) Integer.parseInt(parts[i]);
            assertEquals(InetAddress.getByAddress(expected), Ipv4.parse(text), text);
        }
    }

    @Test
    void anythingElseIsRejected() {
        for (String text : new String[]{"", "10", "10.0.0", "10.0.0.0.1", "10.0.0.256", "10.0.0.1.", ".10.0.0.1",
                "10..0.1", "10.0.0.0001", "10.0.0.-1", "10.0.0.+1", "a.b.c.d", "10.0.0.1 ", " 10.0.0.1",
                "fd00::1", "localhost", "１.1.1.1"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text), text);
        }
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(null));
    }
}
