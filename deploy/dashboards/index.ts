/** Every memgen dashboard, by the file `npm run dashboards` writes it to (deploy/grafana/<file>). */
import { infrastructure } from './infrastructure.js';
import { learning } from './learning.js';
import { overview } from './overview.js';
import { study } from './study.js';

export const DASHBOARDS = {
  'memgen-overview.json': overview,
  'memgen-learning.json': learning,
  'memgen-study.json': study,
  'memgen-infrastructure.json': infrastructure,
} as const;
