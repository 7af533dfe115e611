/** The features, in the order they see updates. `unhandled` must stay last. */
import type { Composer } from "grammy";
import type { BotContext } from "../context";
import { startFeature } from "./start";
import { decksFeature } from "./decks";
import { reviewFeature } from "./review";
import { quizFeature } from "./quiz";
import { settingsFeature } from "./settings";
import { lecturerFeature } from "./lecturer";
import { classesFeature } from "./classes";
import { groupQuizFeature } from "./group-quiz";
import { draftFeature } from "./draft";
import { statsFeature } from "./stats";
import { unhandledFeature } from "./unhandled";

export const features: Composer<BotContext>[] = [startFeature, decksFeature, reviewFeature, quizFeature, settingsFeature, draftFeature, lecturerFeature, classesFeature, groupQuizFeature, statsFeature, unhandledFeature];
