package dev.hearth.gateway;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;

/**
 * Puts the executor's routes ({@link ApiRoutes}) ahead of every other handler mapping. WebFlux asks its mappings
 * in order, and the actuator's (served on the API port when no management port is set) came first: every execution
 * paid for a failed match against it. The API's paths start with {@code /v1/} and the actuator's with
 * {@code /actuator/}, so asking the routes first changes no answer.
 */
@Component
class RoutesFirst implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RouterFunctionMapping mapping) {
            mapping.setOrder(Ordered.HIGHEST_PRECEDENCE);
        }
        return bean;
    }
}
