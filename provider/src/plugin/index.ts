/**
 * Generic Terraform/OpenTofu plugin runtime (protocol 6): value codec,
 * provider framework and the go-plugin server. Nothing here is specific to
 * Keyplane.
 */
export * from './codec';
export { DiagnosticError, diag, hasErrors } from './diagnostics';
export type { Diagnostic, AttributePath, PathStep, Severity } from './diagnostics';
export * from './framework';
export * as validators from './validators';
export { createLogger } from './log';
export type { Logger, LogLevel, LogFields } from './log';
export { serve, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from './server';
export type { ServeOptions } from './server';
export { ProviderServer } from './provider-server';
export { generateSelfSignedCertificate, handshakeCertField } from './tls';
export type { CertificateBundle } from './tls';
