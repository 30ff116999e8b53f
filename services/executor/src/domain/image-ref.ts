/**
 * The image to pull for a job's `image`: as written when it names a tag or a
 * digest, else with `:latest` (the engine pulls every tag of a name without one).
 * A colon in the registry part (`registry:5000/app`) is not a tag.
 */
export function pullReference(image: string): string {
  if (image.includes('@')) return image;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? image : `${image}:latest`;
}
