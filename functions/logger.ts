import { Logger } from '@aws-lambda-powertools/logger';

/** The structured JSON logger every handler shares (Powertools), apart from the runtime so light handlers need not load it. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'careline' });
