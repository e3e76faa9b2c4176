import { installSdkCallRecorder } from './sdkCallRecorder';

/**
 * Installs the SDK call recorder for the IAM check: a vitest setup file (test workers) and the
 * `--import` preload of the local runtime processes the e2e tests spawn (see e2eLocalRuntime.ts).
 * Loaded before any test or runtime module, so every SDK client is created after it.
 */
installSdkCallRecorder();
