package dev.hearth.pool.docker;

/**
 * A pod's container could not be made warm: its image is missing, it exited, or its runner did not answer health
 * within the pool's start timeout. The message says which, with the container's last output when it exited.
 */
public final class ContainerStartException extends RuntimeException {

    public ContainerStartException(String message) {
        super(message);
    }

    public ContainerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
