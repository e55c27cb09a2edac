package dev.hearth.gateway.execution.response;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/** Reference-counted buffers whose release the tests can check, as Reactor Netty's would be. */
final class TrackedBuffers {

    private final NettyDataBufferFactory factory = new NettyDataBufferFactory(new UnpooledByteBufAllocator(false));
    private final List<NettyDataBuffer> created = new ArrayList<>();

    DataBuffer of(byte[] bytes) {
        NettyDataBuffer buffer = factory.allocateBuffer(bytes.length);
        buffer.write(bytes);
        created.add(buffer);
        return buffer;
    }

    DataBuffer of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** How many created buffers still hold a reference. */
    long unreleased() {
        return created.stream().filter(buffer -> buffer.getNativeBuffer().refCnt() > 0).count();
    }

    int created() {
        return created.size();
    }
}
