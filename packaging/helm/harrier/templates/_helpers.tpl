{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/* Kept to the template subset packaging/kubernetes/render-chart renders:
     define/include, if/else, range, toYaml, nindent, quote, default. */}}
{{- define "harrier.labels" -}}
app.kubernetes.io/name: harrier
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "harrier.selectorLabels" -}}
app.kubernetes.io/name: harrier
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
