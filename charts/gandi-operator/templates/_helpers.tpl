{{/*
Names follow the usual Helm conventions. With the release named
gandi-operator, every object gets the same name as in dist/install.yaml
(config/default's namePrefix gandi-operator-), which test/install relies on.
*/}}

{{- define "gandi-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gandi-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gandi-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable for the life of a release. control-plane matches config/. */}}
{{- define "gandi-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gandi-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end }}

{{- define "gandi-operator.labels" -}}
helm.sh/chart: {{ include "gandi-operator.chart" . }}
{{ include "gandi-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gandi-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-controller-manager" (include "gandi-operator.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The default token Secret the manager is pointed at. */}}
{{- define "gandi-operator.credentialsSecretName" -}}
{{- if and .Values.credentials.create .Values.credentials.existingSecret }}
{{- fail "credentials.create and credentials.existingSecret exclude each other: create a Secret from credentials.token, or name one you manage" }}
{{- end }}
{{- default .Values.credentials.defaultSecretName .Values.credentials.existingSecret }}
{{- end }}
