package dev.hearth.pool.kubernetes;

import com.google.gson.JsonObject;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;

/**
 * A JSON merge patch (RFC 7386) of an object's metadata, built from the client's own model and serialized with the
 * client's own JSON: no JSON is written by hand. The client's models start every list and map empty, and a list in
 * a merge patch replaces the stored one wholesale, so a plain {@code new V1ObjectMeta()} would send
 * {@code "finalizers":[]} and {@code "ownerReferences":[]} and wipe them; this starts with them unset, so only
 * what is set here is sent. A {@code resourceVersion} in the patch is a precondition: 409 when stale. Not
 * thread-safe; build, send, forget.
 */
public final class MetadataPatch {

    private final V1ObjectMeta metadata = new V1ObjectMeta()
            .finalizers(null)
            .ownerReferences(null)
            .labels(null)
            .annotations(null);

    /** Applies only if the object is still at this version. */
    public MetadataPatch resourceVersion(String value) {
        metadata.resourceVersion(value);
        return this;
    }

    public MetadataPatch label(String key, String value) {
        metadata.putLabelsItem(key, value);
        return this;
    }

    public MetadataPatch annotation(String key, String value) {
        metadata.putAnnotationsItem(key, value);
        return this;
    }

    /** Replaces the owner references (a list: the whole list is replaced) with {@code owner} alone. */
    public MetadataPatch onlyOwner(V1OwnerReference owner) {
        metadata.ownerReferences(null).addOwnerReferencesItem(owner);
        return this;
    }

    /** The patch body, {@code {"metadata":{...}}}. */
    public String toJson(JSON json) {
        JsonObject patch = new JsonObject();
        patch.add("metadata", json.getGson().toJsonTree(metadata));
        return patch.toString();
    }
}
