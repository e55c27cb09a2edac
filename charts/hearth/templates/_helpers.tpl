{{/* Names, labels and the checks every render runs. */}}

{{- define "hearth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hearth.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "hearth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hearth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hearth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{/* Labels of every object; the gateway's selector labels are a subset. */}}
{{- define "hearth.labels" -}}
helm.sh/chart: {{ include "hearth.chart" . }}
app.kubernetes.io/name: {{ include "hearth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hearth
{{- end -}}

{{- define "hearth.runtimeNamespace" -}}
{{- default .Release.Namespace .Values.runtimeNamespace -}}
{{- end -}}

{{- define "hearth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "hearth.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The ConfigMap every runtime pod and Job is owned by: deleting it (helm uninstall) garbage-collects them. */}}
{{- define "hearth.ownerConfigMapName" -}}
{{- printf "%s-pods-owner" (include "hearth.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The ClusterIP Service of the management port (/actuator), apart from the API's. */}}
{{- define "hearth.managementServiceName" -}}
{{- printf "%s-management" (include "hearth.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hearth.leaseName" -}}
{{- default (printf "%s-reconciler" (include "hearth.fullname" .) | trunc 63 | trimSuffix "-") .Values.kubernetes.leaseName -}}
{{- end -}}

{{- define "hearth.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The chart's own Secret: the pod secret key, the executor secret unless existingSecret is set, the Redis URL when given inline. */}}
{{- define "hearth.secretName" -}}
{{- include "hearth.fullname" . -}}
{{- end -}}

{{- define "hearth.createsExecutorSecret" -}}
{{- if not .Values.executor.existingSecret -}}true{{- end -}}
{{- end -}}

{{- define "hearth.hasRedis" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* Label matchers of this installation's series in alert rules. */}}
{{- define "hearth.metricSelector" -}}
{{- default (printf "job=%q,namespace=%q" (include "hearth.fullname" .) .Release.Namespace) .Values.monitoring.prometheusRule.selector -}}
{{- end -}}

{{/*
Checks that stop a render whose result would not work, each saying what to change. Included by the Deployment.
*/}}
{{- define "hearth.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not (include "hearth.hasRedis" .)) -}}
{{- fail (printf "replicaCount is %d, but several gateway replicas must share leases and the runtime registry through Redis: set redis.url (or redis.existingSecret), or replicaCount=1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and .Values.redis.url .Values.redis.existingSecret -}}
{{- fail "set redis.url or redis.existingSecret, not both" -}}
{{- end -}}
{{- if and .Values.executor.secret .Values.executor.existingSecret -}}
{{- fail "set executor.secret or executor.existingSecret, not both" -}}
{{- end -}}
{{- $images := list -}}
{{- range $i, $pool := .Values.pools -}}
{{- if not $pool.image -}}
{{- fail (printf "pools[%d] has no image" $i) -}}
{{- end -}}
{{- if has $pool.image $images -}}
{{- fail (printf "pools[%d]: image %q is configured twice" $i $pool.image) -}}
{{- end -}}
{{- $images = append $images $pool.image -}}
{{- end -}}
{{- if and (eq (include "hearth.runtimeNamespace" .) .Release.Namespace) (not .Values.allowSharedNamespace) -}}
{{- fail (printf "runtimeNamespace is the release namespace (%s): the gateway's Role there (create, patch and delete on Secrets and pods, which runtime pods need) would cover the chart's own Secret (executor secret, Redis URL, pod secret key) and the gateway's own pods, and a PATCH answers with the Secret's data, so patch on Secrets amounts to reading them. Set runtimeNamespace to a namespace of its own, created beforehand and holding only runtime pods, or allowSharedNamespace=true to accept this" .Release.Namespace) -}}
{{- end -}}
{{- /*
What the gateway does after SIGTERM, one step after the other, each bounded: requests drain
(server.shutdownTimeout), the runtimes it holds end (runtimes.shutdownTimeout: leases released, pods deleted), then
KubernetesPodDriver.close deletes the pods it created (at most 30 s, a bound written in the gateway's code).
*/ -}}
{{- $endRuntimesSeconds := include "hearth.seconds" .Values.runtimes.shutdownTimeout | int -}}
{{- $closeDriverSeconds := 30 -}}
{{- $shutdown := include "hearth.seconds" .Values.server.shutdownTimeout | int -}}
{{- $preStop := int .Values.preStopSleepSeconds -}}
{{- $budget := add $preStop $shutdown $endRuntimesSeconds $closeDriverSeconds -}}
{{- if le (int .Values.terminationGracePeriodSeconds) $budget -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed %ds: preStopSleepSeconds (%d) + server.shutdownTimeout (%ds) + ending the runtimes the gateway holds (up to %ds) + deleting the pods it created (up to %ds), or the kubelet kills the gateway before it has released its runtimes" (int .Values.terminationGracePeriodSeconds) (int $budget) $preStop $shutdown $endRuntimesSeconds $closeDriverSeconds) -}}
{{- end -}}
{{- end -}}

{{/* Whole seconds of a duration written as <n>s or <n>m (the forms values.yaml uses). */}}
{{- define "hearth.seconds" -}}
{{- $value := toString . -}}
{{- if hasSuffix "m" $value -}}
{{- mul (trimSuffix "m" $value | int) 60 -}}
{{- else -}}
{{- trimSuffix "s" $value | int -}}
{{- end -}}
{{- end -}}

{{- /*
A pool's `kubernetes` block of values (poolDefaults.kubernetes or pools[].kubernetes) as the gateway's properties
(hearth.pool-defaults.kubernetes / hearth.pools[i].kubernetes), as YAML. Label and env keys are bracketed: a key
such as kubernetes.io/arch is one map key to Spring, not a path. Keys left out stay out, so a pool's block is laid
over the defaults' by the gateway, field by field.
*/ -}}
{{- define "hearth.podSettings" -}}
{{- $out := dict -}}
{{- with .resources -}}
{{- with .requests -}}
{{- $requests := dict -}}
{{- range $key, $value := . -}}{{- $_ := set $requests $key (toString $value) -}}{{- end -}}
{{- $_ := set $out "requests" $requests -}}
{{- end -}}
{{- with .limits -}}
{{- $limits := dict -}}
{{- range $key, $value := . -}}{{- $_ := set $limits $key (toString $value) -}}{{- end -}}
{{- $_ := set $out "limits" $limits -}}
{{- end -}}
{{- end -}}
{{- with .runtimeClassName -}}{{- $_ := set $out "runtime-class" . -}}{{- end -}}
{{- if hasKey . "runAsUser" -}}{{- $_ := set $out "run-as-user" .runAsUser -}}{{- end -}}
{{- if hasKey . "readOnlyRootFilesystem" -}}{{- $_ := set $out "read-only-root-filesystem" .readOnlyRootFilesystem -}}{{- end -}}
{{- with .workingDir -}}{{- $_ := set $out "working-dir" . -}}{{- end -}}
{{- with .writablePaths -}}{{- $_ := set $out "writable-paths" . -}}{{- end -}}
{{- with .nodeSelector -}}
{{- $selector := dict -}}
{{- range $key, $value := . -}}{{- $_ := set $selector (printf "[%s]" $key) (toString $value) -}}{{- end -}}
{{- $_ := set $out "node-selector" $selector -}}
{{- end -}}
{{- with .tolerations -}}{{- $_ := set $out "tolerations" . -}}{{- end -}}
{{- with .imagePullSecrets -}}{{- $_ := set $out "image-pull-secrets" . -}}{{- end -}}
{{- with .env -}}
{{- $env := dict -}}
{{- range $key, $value := . -}}{{- $_ := set $env (printf "[%s]" $key) (toString $value) -}}{{- end -}}
{{- $_ := set $out "env" $env -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
