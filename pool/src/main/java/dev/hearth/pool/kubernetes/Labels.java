package dev.hearth.pool.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Label and annotation keys Hearth puts on its Kubernetes objects, and the label-safe encoding of an image
 * name. One place for every key, so that selectors, templates and tests agree.
 */
public final class Labels {

    /** Pool of the pod: {@link #poolValue(String)} of its image. Every Hearth pod has it; informers select on it. */
    public static final String POOL = "hearth.dev/pool";
    /** {@link #STATE_WARM} or {@link #STATE_CLAIMED}; moves warm → claimed once, by a precondition patch. */
    public static final String STATE = "hearth.dev/state";
    /** Hearth's id of the pod: the pod name for warm pods, the Job name for a size-0 pool's pod. */
    public static final String POD_ID = "hearth.dev/pod-id";
    /** {@link #KIND_POD} or {@link #KIND_JOB}: how the pod was created, so any replica can delete it. */
    public static final String KIND = "hearth.dev/kind";
    /**
     * Which pod-secret key made the pod's secret ({@link PodSecrets#keyId()}): a pod made under another key is
     * never claimed (its runner would refuse every call) and the leader replaces it.
     */
    public static final String SECRET_KEY_ID = "hearth.dev/secret-key-id";
    /** Set by the Job controller on a Job's pods. */
    public static final String JOB_NAME = "job-name";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "hearth";

    /** The raw image name, which label values cannot hold ('/' and ':' are forbidden there). */
    public static final String IMAGE_ANNOTATION = "hearth.dev/image";

    public static final String STATE_WARM = "warm";
    public static final String STATE_CLAIMED = "claimed";
    /** Annotation: when the pod was claimed (epoch milliseconds); Job pods are claimed at creation. */
    public static final String CLAIMED_AT = "hearth.dev/claimed-at";
    public static final String KIND_POD = "pod";
    public static final String KIND_JOB = "job";

    private static final int MAX_LABEL_VALUE = 63;
    private static final int HASH_CHARS = 10;

    private Labels() {
    }

    /**
     * A label value naming the pool of {@code image}: the image lower-cased with every character a label
     * forbids replaced by '-', cut to fit, then '-' and 10 hex characters of its SHA-256, so that two images
     * that sanitize alike ({@code a/b} and {@code a-b}) still get different values. Deterministic: every
     * replica computes the same value.
     */
    public static String poolValue(String image) {
        String hash = sha256Hex(image).substring(0, HASH_CHARS);
        String readable = image.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        int room = MAX_LABEL_VALUE - HASH_CHARS - 1;
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        readable = readable.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
        return readable.isEmpty() ? hash : readable + "-" + hash;
    }

    private static String sha256Hex(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
