package dev.hearth.runner.process;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a function process and everything it started. Blocking (it forks {@code kill}); call off event loops.
 *
 * <p>Two nets, because each misses something the other catches: {@code kill -KILL -- -pgid} reaches every
 * process of the group even once re-parented (an orphaned {@code sleep &}), while the descendant walk reaches
 * children that left the group with their own {@code setsid}. The descendants are listed before anything is
 * killed, since a killed parent's children are re-parented and no longer show up as its descendants.
 */
public final class ProcessTree {

    private static final Logger log = LoggerFactory.getLogger(ProcessTree.class);

    private ProcessTree() {
    }

    /**
     * SIGKILLs the group led by {@code root} (when {@code ownGroup}) and every descendant of {@code root}.
     * Idempotent; a process already gone is not an error.
     */
    public static void kill(ProcessHandle root, boolean ownGroup) {
        List<ProcessHandle> descendants = root.descendants().toList();
        if (ownGroup) {
            killGroup(root.pid());
        }
        root.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static void killGroup(long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(2, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            log.warn("could not run kill for process group {}: {}", pgid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
