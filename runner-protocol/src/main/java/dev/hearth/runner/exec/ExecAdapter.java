package dev.hearth.runner.exec;

import java.util.concurrent.Executor;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.Adapter;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/** The {@code exec} adapter: nothing runs between executions; each execution is one process. */
public final class ExecAdapter implements FunctionAdapter {

    private final String command;
    private final FunctionWorkspace workspace;
    private final ProcessSupervisor supervisor;
    private final LiveLog liveLog;
    private final Executor io;

    public ExecAdapter(String command, FunctionWorkspace workspace, ProcessSupervisor supervisor, LiveLog liveLog,
                       Executor io) {
        this.command = command;
        this.workspace = workspace;
        this.supervisor = supervisor;
        this.liveLog = liveLog;
        this.io = io;
    }

    @Override
    public Adapter kind() {
        return Adapter.EXEC;
    }

    @Override
    public Flux<ByteBuf> execute(ExecutionCall call) {
        return Flux.defer(() -> new ExecExecution(call, command, workspace, supervisor, liveLog, io).frames());
    }

    @Override
    public void close() {
        // Execution processes belong to their executions and to the supervisor; nothing long-lived here.
    }
}
