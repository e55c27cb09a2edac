package dev.hearth.pool.docker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.BitSet;

/**
 * The loopback addresses of this driver's pods: each pod's runner listens on its own {@code 127.0.0.N} (host
 * networking shares the host's loopback), all on the runner port. The only owner of which address is whose.
 *
 * <p>{@link #allocate()} takes the lowest address of the range that no pod of this driver holds and on which the port
 * can be bound now, so an address another program (or another installation) listens on is skipped rather than
 * handed to a runner that would fail to start. The check and the runner's own bind are not atomic: if something binds
 * the address in between, that runner exits and the creation fails (the pool tries again). Blocking (a bind per
 * address tried): call off event loops. Thread-safe.
 */
public final class LoopbackAddresses {

    private final int first;
    private final int size;
    private final int port;
    private final BitSet taken;

    public LoopbackAddresses(DockerDriverConfig.AddressRange range, int port) {
        this.first = toInt(range.first(), "addresses");
        this.size = range.size();
        this.port = port;
        this.taken = new BitSet(size);
    }

    /** An address for a new pod; errors when every address of the range is held or in use. */
    public synchronized String allocate() {
        for (int i = taken.nextClearBit(0); i < size; i = taken.nextClearBit(i + 1)) {
            String address = toAddress(first + i);
            if (bindable(address)) {
                taken.set(i);
                return address;
            }
        }
        throw new IllegalStateException("no free loopback address for a pod's runner on port " + port + " in "
                + toAddress(first) + "-" + toAddress(first + size - 1) + " (" + taken.cardinality()
                + " held by this driver's pods, the rest in use by other programs)");
    }

    /** Gives the address back once its pod's container is gone. Idempotent. */
    public synchronized void release(String address) {
        int index = toInt(address, "address") - first;
        if (index >= 0 && index < size) {
            taken.clear(index);
        }
    }

    /** Addresses held by pods now; tests use it to prove nothing leaked. */
    public synchronized int held() {
        return taken.cardinality();
    }

    private boolean bindable(String address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The address as an int; errors naming {@code key} unless it is a dotted IPv4 address in 127.0.0.0/8. */
    static int toInt(String address, String key) {
        try {
            if (address == null || !address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
                throw new UnknownHostException(address);
            }
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes[0] != 127) {
                throw new IllegalArgumentException(key + " must be loopback addresses (127.0.0.0/8), but got " + address);
            }
            return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + " must be dotted IPv4 addresses, but got '" + address + "'");
        }
    }

    private static String toAddress(int value) {
        return ((value >>> 24) & 0xff) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
    }
}
