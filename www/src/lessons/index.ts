// The lessons' pure core, in one import (the unit tests use it): parsing,
// checking against the page's catalog, the measures' registry and arithmetic,
// grading, hashing.

export { isRight, difference, rightAnswer } from './check';
export { parseLesson } from './parse';
export { parseFrontMatter } from './front-matter';
export { validateLesson, type PageCatalog } from './validate';
export { MEASURES, checkCall } from './measures';
export { ioiRoles, fromPositions, targetPosition, meanAttention, bestOf, knee, futureAttention, rankCorrelation, formatNumber } from './scores';
export { checkEdge, checkHead, edgeNames, edgeId, shapeOfConfig } from './refs';
export { sha256Hex } from './sha256';
export { mergedSetup } from './setup';
