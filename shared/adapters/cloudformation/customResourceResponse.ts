/**
 * The answer a Lambda-backed custom resource owes CloudFormation: a JSON document PUT to the request's
 * pre-signed `ResponseURL`. Without it the stack operation waits until the resource times out.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  /** Required when FAILED: CloudFormation shows it as the resource's status reason. */
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

/**
 * PUTs the response. The URL is pre-signed for a PUT without a content type, so none is sent (as
 * AWS's own cfn-response module does).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-lambda-function-code-cfnresponsemodule.html
 */
export async function sendCustomResourceResponse(
  responseUrl: string,
  response: CustomResourceResponse,
): Promise<void> {
  const body = JSON.stringify(response);
  const answer = await fetch(responseUrl, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body,
  });
  if (!answer.ok) {
    throw new Error(`CloudFormation response URL answered ${answer.status} ${answer.statusText}`);
  }
}
