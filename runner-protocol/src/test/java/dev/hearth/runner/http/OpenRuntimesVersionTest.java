package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class OpenRuntimesVersionTest {

    @Test
    void onlyV2IsSpokenAsV2() {
        assertThat(OpenRuntimesVersion.of("v2")).isEqualTo(OpenRuntimesVersion.V2);
        assertThat(OpenRuntimesVersion.of("v4")).isEqualTo(OpenRuntimesVersion.V5);
        assertThat(OpenRuntimesVersion.of("v5")).isEqualTo(OpenRuntimesVersion.V5);
        assertThat(OpenRuntimesVersion.V2.secretVariable()).isEqualTo("INTERNAL_RUNTIME_KEY");
    }

    @Test
    void inAPodLaidOutAsAContainerV2PathsStayAsTheyAre() {
        String start = "tar -zxf /tmp/code.tar.gz -C /usr/code && cd /usr/local/src/ && ./build.sh";
        assertThat(OpenRuntimesVersion.v2CodeDir(Path.of("/mnt/code"))).isEqualTo(Path.of("/usr/code"));
        assertThat(OpenRuntimesVersion.localizeV2(start, Path.of("/mnt/code"))).isEqualTo(start);
    }

    @Test
    void elsewhereUsrCodeAloneBecomesTheCodeDirectory() {
        Path code = Path.of("/w/code");
        assertThat(OpenRuntimesVersion.v2CodeDir(code)).isEqualTo(code);
        assertThat(OpenRuntimesVersion.localizeV2("cd /usr/code && ls /usr/code/a /usr/code-start /usr/code.tar /usr/code",
                code)).isEqualTo("cd /w/code && ls /w/code/a /usr/code-start /usr/code.tar /w/code");
    }
}
