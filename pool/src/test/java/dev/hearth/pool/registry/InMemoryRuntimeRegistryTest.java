package dev.hearth.pool.registry;

class InMemoryRuntimeRegistryTest extends RuntimeRegistryContract {

    private final InMemoryRuntimeRegistry registry = new InMemoryRuntimeRegistry();

    @Override
    protected RuntimeRegistry registry() {
        return registry;
    }
}
