// Placeholder: the real handler is being written. Kept so the CDK entry path exists.
export const handler = async (): Promise<void> => {};
