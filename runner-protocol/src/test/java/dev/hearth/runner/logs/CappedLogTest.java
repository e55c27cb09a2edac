package dev.hearth.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.runner.protocol.RunnerProtocol;
import org.junit.jupiter.api.Test;

class CappedLogTest {

    @Test
    void keepsEverythingUnderTheCap() {
        CappedLog log = new CappedLog(10, CappedLog.LOG_TRUNCATED);
        log.append("hello\n");

        assertThat(log.toString()).isEqualTo("hello\n");
        assertThat(log.truncated()).isFalse();
    }

    @Test
    void keepsTheFirstBytesThenTheOpenRuntimesNote() {
        CappedLog log = CappedLog.errors();
        String line = "x".repeat(1024 * 1024);
        for (int i = 0; i < 6; i++) {
            log.append(line);
        }

        assertThat(log.toString())
                .hasSize(RunnerProtocol.MAX_EXECUTION_LOG_BYTES + CappedLog.ERROR_TRUNCATED.length())
                .endsWith("x\nError file has been truncated to 5.00MB.");
    }

    @Test
    void cutsOnCharacterBoundaries() {
        CappedLog log = new CappedLog(5, CappedLog.LOG_TRUNCATED);
        log.append("ab\u00e9\u00e9");

        assertThat(log.toString()).isEqualTo("ab\u00e9" + CappedLog.LOG_TRUNCATED);
    }
}
