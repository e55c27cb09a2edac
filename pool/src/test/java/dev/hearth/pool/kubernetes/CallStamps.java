package dev.hearth.pool.kubernetes;

import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Response;

/**
 * When the last HTTP call through one OkHttp client reached each step, from OkHttp's own events: for
 * {@link PodCacheScaleBench}, which splits a claim into the time before its request, the server's answer, the body
 * and what follows. One call at a time: the bench reads the stamps after each call and before the next. Not a test.
 */
final class CallStamps extends EventListener {

    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    private volatile long requestStart;
    private volatile long responseHeaders;
    private volatile long responseBody;

    /** Calls started so far: a claim that makes more than one (a conflict, a re-read) shows here. */
    long calls() {
        return calls.get();
    }

    /** Nanos ({@link System#nanoTime}) when the request's headers started out. */
    long requestStart() {
        return requestStart;
    }

    /** Nanos when the answer's headers were read: the request written, the server's work, its first bytes back. */
    long responseHeaders() {
        return responseHeaders;
    }

    /** Nanos when the answer's body was read to its end; the client's deserialization starts here. */
    long responseBody() {
        return responseBody;
    }

    @Override
    public void callStart(Call call) {
        calls.incrementAndGet();
    }

    @Override
    public void requestHeadersStart(Call call) {
        requestStart = System.nanoTime();
    }

    @Override
    public void responseHeadersEnd(Call call, Response response) {
        responseHeaders = System.nanoTime();
    }

    @Override
    public void responseBodyEnd(Call call, long byteCount) {
        responseBody = System.nanoTime();
    }
}
