package dev.hearth.pool.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

class LoopbackAddressesTest {

    @Test
    void allocatesTheLowestFreeAddressAndTakesItBack() throws Exception {
        int port = freePort();
        LoopbackAddresses addresses = new LoopbackAddresses(DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.4"),
                port);

        assertThat(addresses.allocate()).isEqualTo("127.0.0.2");
        assertThat(addresses.allocate()).isEqualTo("127.0.0.3");
        addresses.release("127.0.0.2");
        assertThat(addresses.allocate()).as("the freed one again").isEqualTo("127.0.0.2");
        assertThat(addresses.held()).isEqualTo(2);
    }

    @Test
    void skipsAnAddressSomethingElseListensOnAndSaysWhenNoneIsLeft() throws Exception {
        int port = freePort();
        LoopbackAddresses addresses = new LoopbackAddresses(DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.3"),
                port);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port));

            assertThat(addresses.allocate()).as("127.0.0.2 is taken by another program").isEqualTo("127.0.0.3");
            assertThatThrownBy(addresses::allocate).hasMessageContaining("no free loopback address");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
