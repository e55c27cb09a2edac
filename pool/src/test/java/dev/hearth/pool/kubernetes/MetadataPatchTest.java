package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1OwnerReference;

class MetadataPatchTest {

    private static final JSON JSON = new JSON();

    @Test
    void sendsOnlyWhatWasSetSoNoListIsWiped() {
        String patch = new MetadataPatch()
                .resourceVersion("7")
                .label(Labels.STATE, Labels.STATE_CLAIMED)
                .annotation(Labels.CLAIMED_AT, "1700000000000")
                .toJson(JSON);

        assertThat(patch).as("claim patch").isEqualTo("{\"metadata\":{"
                + "\"annotations\":{\"hearth.dev/claimed-at\":\"1700000000000\"},"
                + "\"labels\":{\"hearth.dev/state\":\"claimed\"},"
                + "\"resourceVersion\":\"7\"}}");
    }

    @Test
    void replacesTheOwnerReferencesWithOneOwner() {
        String patch = new MetadataPatch()
                .onlyOwner(new V1OwnerReference().apiVersion("v1").kind("Pod").name("hearth-p-1").uid("u-1")
                        .blockOwnerDeletion(false).controller(false))
                .toJson(JSON);

        assertThat(patch).as("handover patch").isEqualTo("{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":\"v1\","
                + "\"blockOwnerDeletion\":false,\"controller\":false,\"kind\":\"Pod\",\"name\":\"hearth-p-1\","
                + "\"uid\":\"u-1\"}]}}");
    }
}
