/** Why a GitLab keyword (of a job or of `default:`) is not mapped. */
export const NOT_MAPPED: Record<string, string> = {
  services: 'service containers are not supported',
  cache: 'caches are not supported',
  interruptible: 'not supported',
  resource_group: 'not mapped: a pipeline concurrency group is the nearest Fluxi feature',
  environment: 'environments are not tracked',
  coverage: 'coverage is not collected',
  release: 'releases are not created',
  trigger: 'downstream pipelines are not supported',
  secrets: 'external secrets are not fetched',
  id_tokens: 'ID tokens are not issued',
  hooks: 'not supported',
  start_in: 'the delay is dropped',
  pages: 'GitLab Pages are not published',
};

/** Keys of an `image:` mapping that the conversion reads (the others are reported). */
export const IMAGE_KEYS = ['name', 'entrypoint', 'pull_policy'];
