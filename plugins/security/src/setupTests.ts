import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Pages load lazily: on a busy CI machine a first render can take longer than
// testing-library's default of 1 s. findBy* and waitFor wait up to 10 s.
configure({ asyncUtilTimeout: 10_000 });

// A test's own budget: above the 10 s findBy* and waitFor may wait, so a
// slow render on a loaded 2-vCPU CI machine fails on what it shows, not on
// Jest's default 5 s. Speed is measured in bench/, never here.
jest.setTimeout(30_000);
