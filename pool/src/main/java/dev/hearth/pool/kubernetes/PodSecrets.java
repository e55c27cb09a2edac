package dev.hearth.pool.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pod secret of each runtime pod, derived from the installation's key and the pod's name:
 * HMAC-SHA256(key, name), base64url. Every replica holding the key computes any pod's secret, so the secret never
 * has to be read back from the cluster: it travels into the pod through a Kubernetes Secret (referenced by
 * {@code secretKeyRef}), which the gateway creates but has no right to read, and appears in no pod spec, label or
 * annotation. Changing the key makes every existing pod unusable; they are replaced as they fail their first call.
 */
public final class PodSecrets {

    /** The key of the pod secret inside the pod's Kubernetes Secret. */
    public static final String SECRET_KEY = "runner-secret";
    private static final String ALGORITHM = "HmacSHA256";

    /** Derived secrets kept; past this the cache starts over (pods come and go, names never repeat). */
    private static final int CACHED = 4096;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final String keyId;

    public PodSecrets(String installationKey) {
        if (installationKey == null || installationKey.isEmpty()) {
            throw new IllegalArgumentException("the key pod secrets are derived from must not be empty");
        }
        this.key = new SecretKeySpec(installationKey.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.keyId = derive("hearth-key-id").substring(0, 16).replace('_', 'x').replace('-', 'y');
    }

    /**
     * The secret of the pod (or Job) named {@code podName}. Cached: claiming looks at every warm pod of a pool,
     * and an HMAC per pod per look would be wasted work on the acquisition path.
     */
    public String secretOf(String podName) {
        String secret = cache.get(podName);
        if (secret != null) {
            return secret;
        }
        if (cache.size() >= CACHED) {
            cache.clear();
        }
        return cache.computeIfAbsent(podName, name -> derive("hearth-pod-secret:" + name));
    }

    /**
     * A public fingerprint of the key (label-safe, 16 characters), put on every pod: it tells pods made under
     * another key apart without revealing anything of the key.
     */
    public String keyId() {
        return keyId;
    }

    private String derive(String message) {
        byte[] digest = macs.get().doFinal(message.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JRE", e);
        }
    }

    @Override
    public String toString() {
        return "PodSecrets[key=<redacted>]";
    }
}
