{{/*
Helpers for the zhdj chart.

The templates of this chart stay inside the small Go-template subset that the test
renderer (tests/deploy/helm_render.py) implements; see its docstring before adding
new syntax (no printf, with, required, tpl, lookup, comparisons, ...).
*/}}

{{/* Chart name, overridable. */}}
{{- define "zhdj.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name used as the prefix of every object name. Truncated to 40 characters so that
"<fullname>-migrate" and friends stay within the 63-character DNS label limit.
*/}}
{{- define "zhdj.fullname" -}}
{{- include "zhdj.fullnameUntruncated" . | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "zhdj.fullnameUntruncated" -}}
{{- if .Values.fullnameOverride -}}
{{ .Values.fullnameOverride }}
{{- else -}}
{{ .Release.Name }}-{{ include "zhdj.name" . }}
{{- end -}}
{{- end -}}

{{/* Common labels. */}}
{{- define "zhdj.labels" -}}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{ include "zhdj.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: zhdj
{{- end -}}

{{/* Selector labels (a component label is added by each workload). */}}
{{- define "zhdj.selectorLabels" -}}
app.kubernetes.io/name: {{ include "zhdj.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Application image reference; the tag defaults to the chart's appVersion. */}}
{{- define "zhdj.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Name of the Secret holding DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, ZHDJ_MASTER_KEY, SENTRY_DSN
(and DATABASE_PASSWORD with pgbouncer.enabled). */}}
{{- define "zhdj.secretName" -}}
{{- if .Values.secret.existingSecret -}}
{{ .Values.secret.existingSecret }}
{{- else -}}
{{ include "zhdj.fullname" . }}
{{- end -}}
{{- end -}}

{{/* envFrom shared by every application container (web, ws, worker, beat, migrate). */}}
{{- define "zhdj.envFrom" -}}
- configMapRef:
    name: {{ include "zhdj.fullname" . }}
- secretRef:
    name: {{ include "zhdj.secretName" . }}
{{- end -}}

{{/*
Pod-template annotation that changes on every helm upgrade, so pods pick up the
ConfigMap/Secret (which are hook resources, re-created before each upgrade).
*/}}
{{- define "zhdj.podAnnotations" -}}
zhdj.gov.cn/release-revision: {{ .Release.Revision | quote }}
{{- end -}}

{{/* Volumes every application pod mounts: a writable /tmp (the root filesystem is read-only). */}}
{{- define "zhdj.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 1Gi
{{- end -}}

{{- define "zhdj.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Uploaded files volume (web and worker). */}}
{{- define "zhdj.mediaVolume" -}}
- name: media
{{- if .Values.media.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.media.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "zhdj.mediaVolumeMount" -}}
- name: media
  mountPath: /app/media
{{- end -}}

{{- define "zhdj.backupsVolume" -}}
- name: backups
{{- if .Values.backups.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.backups.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "zhdj.backupsVolumeMount" -}}
- name: backups
  mountPath: /app/backups
{{- end -}}

{{- define "zhdj.beatStateVolume" -}}
- name: beat-state
{{- if .Values.beat.stateClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.beat.stateClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{/*
DATABASE_URL of the long-running processes (web, ws, worker, beat). Without PgBouncer the
Secret's DATABASE_URL is used as it is (envFrom). With pgbouncer.enabled it is replaced by a URL
to the in-chart PgBouncer Service, built from the Secret's DATABASE_PASSWORD (letters and digits
only: it goes into a URL). The migrate Job keeps the Secret's direct URL: on a fresh install it
runs (a pre-install hook) before PgBouncer exists.
*/}}
{{- define "zhdj.databaseEnv" -}}
{{- if .Values.pgbouncer.enabled -}}
- name: ZHDJ_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "zhdj.secretName" . }}
      key: DATABASE_PASSWORD
- name: DATABASE_URL
  value: "postgres://{{ .Values.pgbouncer.user }}:$(ZHDJ_DATABASE_PASSWORD)@{{ include "zhdj.fullname" . }}-pgbouncer:6432/{{ .Values.pgbouncer.database }}"
{{- end }}
{{- end -}}
