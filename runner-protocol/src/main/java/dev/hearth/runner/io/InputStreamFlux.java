package dev.hearth.runner.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Reads a blocking {@link InputStream} (a process's stdout) as a {@code Flux<ByteBuf>}, one read per unit of
 * demand, on a dedicated I/O thread. Nothing is read ahead of demand: a slow consumer leaves the bytes in the
 * pipe, which in turn blocks the writing process.
 *
 * <p>Each chunk holds what one {@code read} returned (at most {@code chunkSize} bytes), so output is
 * forwarded as the process writes it. The flux completes at end of stream and errors on an I/O failure.
 * On cancel, the reading thread stops after its current read returns (the caller kills the process,
 * which ends any blocked read); a chunk read after cancel is released.
 */
public final class InputStreamFlux {

    private InputStreamFlux() {
    }

    public static Flux<ByteBuf> read(InputStream in, ByteBufAllocator alloc, int chunkSize, Executor io) {
        return Flux.create(sink -> {
            Semaphore demand = new Semaphore(0);
            AtomicBoolean stopped = new AtomicBoolean();
            sink.onRequest(n -> demand.release((int) Math.min(n, Integer.MAX_VALUE / 2)));
            sink.onDispose(() -> {
                stopped.set(true);
                demand.release();
            });
            io.execute(() -> pump(in, alloc, chunkSize, sink, demand, stopped));
        }, FluxSink.OverflowStrategy.ERROR);
    }

    private static void pump(InputStream in, ByteBufAllocator alloc, int chunkSize, FluxSink<ByteBuf> sink,
                             Semaphore demand, AtomicBoolean stopped) {
        byte[] buffer = new byte[chunkSize];
        try {
            while (true) {
                demand.acquire();
                if (stopped.get()) {
                    return;
                }
                int n = in.read(buffer);
                if (n < 0) {
                    sink.complete();
                    return;
                }
                if (stopped.get()) {
                    return;
                }
                sink.next(alloc.buffer(n).writeBytes(buffer, 0, n));
                if (n == 0) {
                    demand.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.error(e);
        } catch (IOException e) {
            if (!stopped.get()) {
                sink.error(e);
            }
        }
    }
}
