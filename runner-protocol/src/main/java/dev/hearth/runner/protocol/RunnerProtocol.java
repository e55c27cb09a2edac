package dev.hearth.runner.protocol;

import java.util.List;

/**
 * Constants of the gateway-runner contract (see {@code runner-protocol/PROTOCOL.md}). Header names
 * are lower case because HTTP/1.1 header names are case-insensitive and Netty compares them so.
 */
public final class RunnerProtocol {

    /** The protocol version this code speaks; the only one so far. */
    public static final int VERSION = 1;
    public static final List<Integer> SUPPORTED_VERSIONS = List.of(VERSION);

    public static final String HEALTH_PATH = "/v1/health";
    public static final String SPECIALIZE_PATH = "/v1/specialize";
    public static final String EXECUTE_PATH = "/v1/execute";
    public static final String LOGS_PATH = "/v1/logs";
    public static final String BUILD_PATH = "/v1/build";
    public static final String BUILD_LOG_PATH = "/v1/build/log";
    public static final String ARTIFACT_PATH = "/v1/artifact";
    public static final String COMMAND_PATH = "/v1/command";

    /** Protocol version the caller speaks; absent means {@link #VERSION}. */
    public static final String PROTOCOL_HEADER = "x-hearth-protocol";
    /** Versions a runner supports, sent with a 400 {@code unsupported_protocol}. */
    public static final String SUPPORTED_HEADER = "x-hearth-protocol-supported";
    /** The pod's secret; required on every call but health. Compared in constant time. */
    public static final String SECRET_HEADER = "x-hearth-secret";
    /** Fencing token of the lease the caller holds; a runner rejects tokens older than the newest seen. */
    public static final String TOKEN_HEADER = "x-hearth-token";
    /** Base64url (no padding) JSON {@link Specialization}. */
    public static final String SPECIALIZATION_HEADER = "x-hearth-specialization";
    /** Base64url (no padding) JSON {@link ExecutionRequest}. */
    public static final String REQUEST_HEADER = "x-hearth-request";
    /** Base64url (no padding) JSON {@link BuildRequest}. */
    public static final String BUILD_HEADER = "x-hearth-build";

    /** Content type of the framed execute response. */
    public static final String FRAMES_CONTENT_TYPE = "application/vnd.hearth.frames";
    /** Content type of the log streams: one JSON object a line. */
    public static final String NDJSON_CONTENT_TYPE = "application/x-ndjson";

    /** Largest header block a runner accepts: specialization metadata carries the function's variables. */
    public static final int MAX_HEADER_BYTES = 256 * 1024;

    /**
     * Largest source archive handled whole: the gateway reads one up to this size while it claims the pod and sends
     * it with the specialize call's head (with a Content-Length), and the runner receives it whole before
     * extracting. A larger one streams on both sides.
     */
    public static final int WHOLE_ARCHIVE_BYTES = 256 * 1024;

    /** Per-execution cap of each of {@code logs} and {@code errors}, as in Open Runtimes. */
    public static final int MAX_EXECUTION_LOG_BYTES = 5 * 1024 * 1024;
    /** Longest single line of the live log stream; longer lines are cut. */
    public static final int MAX_LOG_LINE_CHARS = 8 * 1024;
    /** How much of the live log a runner retains for late readers. */
    public static final int LOG_RETENTION_BYTES = 1024 * 1024;
    /** Most output a build's log keeps (on the pod's disk); beyond, output is counted but left out. */
    public static final long MAX_BUILD_LOG_BYTES = 64L * 1024 * 1024;
    /** Most of each of a command's stdout and stderr that its result keeps; the rest is read and dropped. */
    public static final int MAX_COMMAND_OUTPUT_BYTES = 1024 * 1024;
    /** Largest command request body (the command itself is at most 1024 characters). */
    public static final int MAX_COMMAND_REQUEST_BYTES = 64 * 1024;
    /** Largest chunk of build output in one record. */
    public static final int BUILD_CHUNK_BYTES = 8 * 1024;

    private RunnerProtocol() {
    }
}
