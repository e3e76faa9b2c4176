import { installSdkCallRecorder } from './sdkCallRecorder';

/**
 * The `--import` preload that installs the SDK call recorder for the IAM check in the local runtime
 * processes the e2e tests spawn (see e2eLocalRuntime.ts): it runs before the runtime's modules, so
 * every SDK client is created after it.
 */
installSdkCallRecorder();
