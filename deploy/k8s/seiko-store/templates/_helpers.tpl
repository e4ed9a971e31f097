{{/* Names: "<release>-seiko-store", or the release name alone when it already says seiko-store. */}}
{{- define "seiko.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "seiko.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "seiko.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "seiko.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "seiko.secretName" -}}
{{- default (include "seiko.fullname" .) .Values.secrets.name }}
{{- end }}

{{- define "seiko.serviceAccountName" -}}
{{- default (include "seiko.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{/* Labels for everything in the release; call with (dict "ctx" $ "component" "api"). */}}
{{- define "seiko.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seiko.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "seiko.labels" -}}
{{ include "seiko.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: seiko-store
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The image, pinned: repository:tag@digest when a digest is given (production), else repository:tag. */}}
{{- define "seiko.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the API, the worker and the migrations Job. */}}
{{- define "seiko.podSpecCommon" -}}
serviceAccountName: {{ include "seiko.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # The root filesystem is read-only; /tmp (HOME, caches, SEIKO_DATA_DIR) is the one writable place.
  - name: tmp
    emptyDir:
      sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* Container-level settings shared by every container.
Call with (dict "ctx" $ "env" <map of plain variables> "secretEnv" <list of {name, optional}>). */}}
{{- define "seiko.containerCommon" -}}
image: {{ include "seiko.image" .ctx }}
imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .ctx.Values.containerSecurityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
envFrom:
  - configMapRef:
      name: {{ include "seiko.fullname" .ctx }}
env:
  {{- range $name, $value := .env }}
  - name: {{ $name }}
    value: {{ $value | toString | quote }}
  {{- end }}
  {{- /* Each secret is its own secretKeyRef (key = variable name): a component sees only what it needs. */}}
  {{- range .secretEnv }}
  - name: {{ .name }}
    valueFrom:
      secretKeyRef:
        name: {{ include "seiko.secretName" $.ctx }}
        key: {{ .name }}
        optional: {{ .optional | default false }}
  {{- end }}
{{- end }}
